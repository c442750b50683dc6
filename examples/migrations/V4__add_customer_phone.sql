-- Customers may leave a phone number for delivery.
ALTER TABLE customers ADD COLUMN phone TEXT;
