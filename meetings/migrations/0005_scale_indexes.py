"""Indexes the register and the search ask for at scale (benchmarks/register.py): a board's sessions
newest first, and minutes by session and state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="minutes",
            index=models.Index(fields=["session", "state"], name="minutes_session_state"),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(fields=["board", "-date", "-ordinal"], name="session_board_newest_first"),
        ),
    ]
