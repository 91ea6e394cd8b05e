from __future__ import annotations

from django import forms
from django.conf import settings

from transcription.models import TranscriptionJob


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "audio/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return (
            [single_file_clean(f, initial) for f in files] if files else [single_file_clean(None)]
        )


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Audio files",
        help_text="WAV, FLAC, OGG or MP3. Several at once are fine.",
        error_messages={
            "required": "Choose at least one audio file.",
            "empty": "The file “%(name)s” is empty (0 bytes): choose the recording itself.",
        },
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.TRANSCRIPTION_MAX_UPLOAD_MB * 1024 * 1024
        too_big = [f.name for f in files if f.size > limit]
        if too_big:
            raise forms.ValidationError(
                f"Larger than {settings.TRANSCRIPTION_MAX_UPLOAD_MB:.0f} MB: "
                f"{', '.join(too_big)}. Split or compress the recording and upload it again."
            )
        return files


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)
    q = forms.CharField(required=False, max_length=100, label="Search")
    before = forms.CharField(required=False, max_length=16)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "All"), *TranscriptionJob.Status.choices]
