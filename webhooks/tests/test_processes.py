"""Signup completions never share a worker pool that webhook deliveries can exhaust: in the
Procfile and in `make run` (scripts/run_dev.py), the default queue and the deliveries' queue are
consumed by separate worker processes, the deliveries' one a thread pool. In the Procfile, Meta's
inbound payloads have a queue and a worker of their own as well."""

import importlib.util

from django.conf import settings

from onboarding_project.celery import app
from webhooks.tests.workers import BASE_DIR, procfile_command


def _run_dev_commands() -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location("run_dev", BASE_DIR / "scripts" / "run_dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.COMMANDS


def _queues_by_worker(commands: dict[str, list[str]]) -> dict[str, set[str]]:
    return {
        name: set(command[command.index("-Q") + 1].split(","))
        for name, command in commands.items()
        if "worker" in command
    }


def test_make_run_consumes_completions_and_deliveries_in_separate_workers():
    commands = _run_dev_commands()
    queues = _queues_by_worker(commands)
    assert sorted(queues.values(), key=sorted) == [
        {app.conf.task_default_queue, settings.INBOUND_QUEUE, settings.MESSAGES_QUEUE},
        {settings.WEBHOOK_QUEUE},
    ]
    deliveries = next(name for name, q in queues.items() if q == {settings.WEBHOOK_QUEUE})
    assert "--pool=threads" in commands[deliveries]


def test_the_procfile_consumes_completions_and_deliveries_in_separate_workers():
    commands = {name: procfile_command(name, {}) for name in ("worker", "webhooks", "inbound", "messages")}
    assert _queues_by_worker(commands) == {
        "worker": {"celery"},
        "webhooks": {"webhooks"},
        "inbound": {"inbound"},
        "messages": {"messages"},
    }
    assert "--pool=threads" in commands["webhooks"] and "--pool=threads" in commands["messages"]
    # Completions wait on Meta (I/O) too, but in a pool of their own that deliveries cannot exhaust.
    assert "--pool=threads" in commands["worker"]


def test_inbound_payloads_are_routed_to_their_own_queue_which_only_the_inbound_worker_consumes():
    route = app.amqp.router.route({}, "phones.tasks.process_inbound_webhook")
    assert route["queue"].name == settings.INBOUND_QUEUE != app.conf.task_default_queue
    commands = {name: procfile_command(name, {}) for name in ("worker", "webhooks", "inbound", "messages")}
    consumers = [name for name, queues in _queues_by_worker(commands).items() if settings.INBOUND_QUEUE in queues]
    assert consumers == ["inbound"]


def test_message_sends_are_routed_to_their_own_queue_which_only_the_messages_worker_consumes():
    route = app.amqp.router.route({}, "messaging.tasks.send_message")
    assert route["queue"].name == settings.MESSAGES_QUEUE != app.conf.task_default_queue
    commands = {name: procfile_command(name, {}) for name in ("worker", "webhooks", "inbound", "messages")}
    consumers = [name for name, queues in _queues_by_worker(commands).items() if settings.MESSAGES_QUEUE in queues]
    assert consumers == ["messages"]
