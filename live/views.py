from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django_eventstream.views import events as eventstream_events

from live import relay
from live.channels import JOBS, is_known_channel
from live.storage import release_connection


def events(request: HttpRequest):
    """The SSE stream. `?channel=` names up to 10 channels (default: the job table);
    `?lastEventId=` or the Last-Event-ID header resumes after that id."""
    channels = request.GET.getlist("channel") or [JOBS]
    unknown = [c for c in channels if not is_known_channel(c)]
    if unknown:
        return JsonResponse(
            {
                "error": "unknown channel",
                "detail": f"No such channel: {', '.join(unknown)}. Use 'jobs' or "
                "'command-<commandId>'.",
            },
            status=404,
        )
    relay.ensure_started()
    response = eventstream_events(request, channels=channels)
    release_connection()  # the session and user are loaded: the stream needs no connection
    return response
