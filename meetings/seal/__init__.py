"""The seal: the institution's PAdES signature on the minutes and the check of a submitted copy (pyHanko),
the private keys read once per process, and the demo public-key infrastructure that stands in for an
accredited provider.

It works on bytes and files named by the settings: it imports nothing from `meetings.models` nor from any
other room of `meetings`; the minutes (`meetings.minutes`) call it."""
