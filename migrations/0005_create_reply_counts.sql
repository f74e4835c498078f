-- Automatic replies (answers to -request commands) per requester and fixed day window: a
-- requester, even an authenticated one, can make the lists answer only a few times a day, so a
-- loop with an auto-responder or a flood of commands cannot turn the lists into a mail cannon.
CREATE TABLE reply_counts (
  requester TEXT NOT NULL,               -- lower-cased address the replies go to
  window_start INTEGER NOT NULL,         -- ms epoch, start of the day window
  count INTEGER NOT NULL,
  PRIMARY KEY (requester, window_start)
);
