"""Telling people, and hearing back: the convocation of a session, its updates and its cancellation
(`convening`), the members' answers and proxies (`answers`), the second convocation when the quorum was
not reached (`second_call`), what awaits whom (`awaiting`), every message composed in its reader's
language (`messages`) and sent by the task queue (`delivery`), the calendar invitations (`calendar`).

It imports the models and `meetings.text`; the minutes and the accounts queue their messages through it,
and nothing here imports them."""
