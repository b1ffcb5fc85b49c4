-- Hints moved to hint_charges in 0021 (charged per member and question, not per message);
-- nothing reads or writes hint_uses since, so its rows would only mislead a reader of the file.
DROP TABLE hint_uses;
