"""What the IT team runs and watches: the backup and its restore (`backup`, the `manage.py backup` and
`restore` commands) and the health checks the load balancer and the monitoring ask (`health`,
`health_urls`).

It imports the models and, for the queue's health, `meetings.convocation.delivery`; nothing imports it but
the project's urls and the management commands."""
