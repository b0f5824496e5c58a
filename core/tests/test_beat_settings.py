"""Beat's schedule: kept in memory (no schedule file, so no folder to create) and its intervals
tunable per job by BEAT_INTERVALS, strictly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.tests.helpers import settings_from_env


def test_beat_needs_no_schedule_file():
    loaded = settings_from_env(unset=("BEAT_INTERVALS",))
    assert loaded["CELERY_BEAT_SCHEDULER"] == "celery.beat:Scheduler"
    assert "CELERY_BEAT_SCHEDULE_FILENAME" not in loaded


def test_beat_intervals_override_the_named_jobs_only():
    loaded = settings_from_env(BEAT_INTERVALS="expire-links=2,dispatch-due-webhook-deliveries=0.5")
    schedule = {name: entry["schedule"] for name, entry in loaded["CELERY_BEAT_SCHEDULE"].items()}
    assert schedule["expire-links"] == 2.0
    assert schedule["dispatch-due-webhook-deliveries"] == 0.5
    assert schedule["resume-stalled-signups"] == 30.0


@pytest.mark.parametrize("value", ["no-such-job=5", "expire-links=0", "expire-links=soon", "expire-links=-1"])
def test_a_bad_beat_interval_is_refused_naming_the_jobs(value):
    with pytest.raises(ImproperlyConfigured, match="BEAT_INTERVALS: .*the jobs are expire-links, resume-stalled"):
        settings_from_env(BEAT_INTERVALS=value)
