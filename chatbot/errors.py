"""Error types: what failed, the value, and what to do next. The edges translate them."""

from __future__ import annotations


class ChatbotError(Exception):
    """Base class for every error a user can cause or fix."""


class ConfigError(ChatbotError):
    """A configuration key is unknown or its value is out of range."""


class QuestionError(ChatbotError):
    """The question is empty, too long, or the history is malformed."""


class CorpusError(ChatbotError):
    """The corpus folder is missing, empty, or holds a file that cannot be read."""


class IndexDataError(ChatbotError):
    """The index is missing, corrupt, or was built differently from what is asked."""


class ModelError(ChatbotError):
    """A model file is missing, does not match its checksum, or failed to load."""
