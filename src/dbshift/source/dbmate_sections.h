#pragma once

#include <string>
#include <string_view>

namespace dbshift {

/// One "-- migrate:up" or "-- migrate:down" block of a dbmate file.
struct DbmateSection {
  bool present = false;
  /// The whole file with every line outside this block blanked, so that a
  /// statement's line number is its line in the file.
  std::string script;
  /// The block alone (marker line excluded): what the checksum covers, so
  /// that editing the down block does not change the up block's checksum.
  std::string text;
  /// "transaction:false" on the marker line.
  bool no_transaction = false;
};

struct DbmateSections {
  DbmateSection up;
  DbmateSection down;
};

/// Splits a dbmate migration file. Throws ValidationError naming `file_name`
/// and the line when the up block is missing, a block appears twice, a marker
/// has an option other than transaction:true|false, or a statement stands
/// before the first block (dbmate refuses all of these too).
DbmateSections SplitDbmateSections(std::string_view content, std::string_view file_name);

/// Whether a block holds anything but blank lines and "--" comments.
bool HasStatements(std::string_view text);

}  // namespace dbshift
