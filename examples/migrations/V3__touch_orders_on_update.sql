-- Keep orders.updated_at current. The trigger body holds its own semicolons;
-- the statement ends only at END;
CREATE TRIGGER orders_touch_updated_at
AFTER UPDATE OF status, total_cents ON orders
FOR EACH ROW
BEGIN
  UPDATE orders SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
