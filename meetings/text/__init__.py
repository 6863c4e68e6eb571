"""The text of the record, as the board writes and reads it: dates as Moroccan administration writes them,
the ordinals of session names, Arabic grammar, text made safe to lay out right to left (bidi), the
reader's language, and the normalisation that search compares.

Plain helpers that know nothing of the models: they import Django's utilities and one another, never
`meetings.models` nor any other room of `meetings`."""
