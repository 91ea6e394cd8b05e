"""Read an uploaded file into 16 kHz mono samples, or say in plain words why it cannot be."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soundfile
import soxr

SAMPLE_RATE = 16_000
SUPPORTED = "WAV, FLAC, OGG or MP3"
# Known audio containers that libsndfile cannot read, by their first bytes.
UNSUPPORTED_SIGNATURES = {
    b"ftyp": "MP4/M4A/AAC",
    b"\x30\x26\xb2\x75": "WMA/ASF",
    b"#!AMR": "AMR",
    b"FORM": "AIFF",
    b"caff": "CAF",
    b"\xff\xf1": "AAC (ADTS)",
    b"\xff\xf9": "AAC (ADTS)",
}
SILENCE_RMS = 1e-3  # about -60 dBFS


class AudioError(Exception):
    """The file cannot be transcribed; the message says why and what to do."""


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def load(path: str, *, max_seconds: float) -> Audio:
    info = _info(path)
    if info.frames <= 0 or info.samplerate <= 0:
        raise AudioError(
            f"The file is {info.format} audio but holds no samples. Upload a recording that "
            "has sound in it."
        )
    duration = info.frames / info.samplerate
    if duration > max_seconds:
        raise AudioError(
            f"The recording is {duration / 60:.1f} minutes long; the limit is "
            f"{max_seconds / 60:.0f} minutes. Split it into shorter files and upload those."
        )
    try:
        data, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise AudioError(
            f"The {info.format} file is damaged or truncated ({exc}). Export it again "
            f"from the original recording as {SUPPORTED}."
        ) from exc
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        mono = soxr.resample(mono, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    if len(mono) == 0 or float(np.sqrt(np.mean(np.square(mono)))) < SILENCE_RMS:
        raise AudioError(
            f"The recording is silent ({duration:.1f} s without sound above -60 dBFS). "
            "Check that the microphone was on and upload the right file."
        )
    return Audio(samples=mono)


def _info(path: str):
    with open(path, "rb") as f:
        head = f.read(16)
    if not head:
        raise AudioError(f"The file is empty (0 bytes). Upload the recording again as {SUPPORTED}.")
    try:
        return soundfile.info(path)
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        kind = _unsupported_kind(head)
        if kind:
            raise AudioError(
                f"{kind} files are not supported. Convert the recording to {SUPPORTED} "
                "(for example with ffmpeg or Audacity) and upload it again."
            ) from exc
        raise AudioError(
            f"This is not an audio file that can be read (not {SUPPORTED}). Check that you "
            "uploaded the recording itself, not a document or a playlist."
        ) from exc


def _unsupported_kind(head: bytes) -> str | None:
    for signature, kind in UNSUPPORTED_SIGNATURES.items():
        if head.startswith(signature) or head[4:8] == signature:
            return kind
    return None


def segments(samples: np.ndarray, *, max_seconds: float = 12.0) -> list[tuple[int, int]]:
    """Split at the quietest moment near each boundary, so that no word is cut in two.

    The engine is most accurate on whole utterances, and segments let it report progress.
    """
    limit = int(max_seconds * SAMPLE_RATE)
    window = SAMPLE_RATE // 50  # 20 ms frames for the energy search
    bounds, start = [], 0
    while len(samples) - start > limit:
        search_from = start + limit // 2
        region = samples[search_from : start + limit]
        frames = len(region) // window
        energy = np.square(region[: frames * window]).reshape(frames, window).mean(axis=1)
        cut = search_from + int(np.argmin(energy)) * window + window // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(samples)))
    return bounds
