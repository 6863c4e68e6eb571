"""The minutes from draft to publication: who may move them and the moves themselves (`lifecycle`, over
the table of moves in `meetings.models.minutes`), the PDF they print as (`pdf`), the queued work that
renders and signs them (`jobs`), each step told to the people concerned (`notifications`), the archival
renewal of their timestamps (`archive`) and the check of a copy someone submits (`verification`).

It imports the models, `meetings.text`, `meetings.seal`, `meetings.accounts` (the second factor an
approval gives) and `meetings.convocation` (the messages it queues); none of those imports it back."""
