"""The one exception family of the voice driver, with messages in Chinese and English."""

from __future__ import annotations


class VoiceError(Exception):
    """Base of every voice failure."""

    message_zh = "语音播报故障，请联系工作人员"
    message_en = "voice announcement failed, please ask staff"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(detail or self.message_en)

    def __str__(self) -> str:
        return f"{self.message_en}: {self.detail}" if self.detail else self.message_en


class VoiceDependencyError(VoiceError):
    """A library, program or asset needed for speech is not installed."""

    message_zh = "语音组件未安装，请联系工作人员"
    message_en = "speech support is not installed, please ask staff"


class SynthesisError(VoiceError):
    """The speech engine failed to produce audio."""

    message_zh = "语音合成失败，请联系工作人员"
    message_en = "speech synthesis failed, please ask staff"


class PlaybackError(VoiceError):
    """The sound could not be played or written."""

    message_zh = "声音播放失败，请联系工作人员"
    message_en = "the sound could not be played, please ask staff"


def missing(what: str, how: str) -> VoiceDependencyError:
    """The error for a missing library, program or file, naming what to install."""
    return VoiceDependencyError(f"{what} is not installed: {how}")


DISPLAY_EXTRA = "pip install 'yihao[display]'"
"""How to install the Python libraries of the voice announcer."""
