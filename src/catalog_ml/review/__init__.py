"""The catalog reviewer's loop: a local page over the review queue whose decisions (accept,
reject, pick another product) become match_overrides and match_labels rows the next build
reads (README "Reviewing matches")."""
