from __future__ import annotations

from django import forms

from maintenance import bus
from maintenance.models import Command


class ConfirmForm(forms.Form):
    """The confirmation a modal (or its page without JavaScript) posts."""

    command_id = forms.UUIDField()
    confirm = forms.CharField(required=False, max_length=64)

    def to_request(self, *, action: str, target: str) -> bus.Request:
        if not self.is_valid():
            raise bus.CommandRejected(
                400, "invalid form", "The confirmation form is incomplete; open it again."
            )
        params = {}
        if action == Command.Type.DELETE_JOB:
            params["confirm"] = self.cleaned_data["confirm"].strip()
        return bus.Request(
            command_id=self.cleaned_data["command_id"], type=action, target=target, params=params
        )
