-- Undo V4: SQLite 3.35+ can drop a column that nothing else refers to.
ALTER TABLE customers DROP COLUMN phone;
