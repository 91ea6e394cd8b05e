"""Speech engines behind one small interface, chosen by settings.TRANSCRIPTION_ENGINE.

An engine takes 16 kHz mono float32 samples and returns text; it reports progress through a
callback that may raise to stop it (the job was deleted meanwhile). To add one, write a class
with `name` and `transcribe()` and point TRANSCRIPTION_ENGINE at it; no job code changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from transcription.audio import SAMPLE_RATE, segments

ProgressCallback = Callable[[float], None]


class Engine(Protocol):
    name: str

    def transcribe(self, samples: np.ndarray, *, on_progress: ProgressCallback) -> str: ...


class PocketSphinxEngine:
    """CMU PocketSphinx with the en-US model its wheel carries: offline, nothing downloaded."""

    name = "pocketsphinx-en-us"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")

    def transcribe(self, samples: np.ndarray, *, on_progress: ProgressCallback) -> str:
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        words = []
        for start, end in segments(samples):
            self.decoder.start_utt()
            try:
                self.decoder.process_raw(pcm[start:end].tobytes(), False, True)
            finally:
                self.decoder.end_utt()
            hyp = self.decoder.hyp()
            if hyp and hyp.hypstr:
                words.append(hyp.hypstr)
            on_progress(end / len(samples))
        return " ".join(words)


@cache
def _engine(path: str) -> Engine:
    return import_string(path)()


def get_engine() -> Engine:
    """The configured engine, loaded once per process (model loading takes a moment)."""
    return _engine(settings.TRANSCRIPTION_ENGINE)
