"""Chat-model adapter: any OpenAI-compatible endpoint through LangChain's ``ChatOpenAI``."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.core.errors import ModelError
from assistant.core.settings import LLMSettings


class ChatModel:
    """Sends (role, text) messages and returns or streams the reply text."""

    def __init__(self, settings: LLMSettings) -> None:
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self._chat = ChatOpenAI(
            base_url=settings.base_url,
            model=settings.model,
            api_key=settings.api_key,
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            timeout=settings.timeout_s,
            max_retries=1,
        )

    def _error(self, exc: Exception) -> ModelError:
        return ModelError(
            f"the chat model {self.settings.model!r} at {self.settings.base_url} failed "
            f"({type(exc).__name__}: {str(exc)[:200]}); check ASSISTANT_LLM__BASE_URL, "
            "ASSISTANT_LLM__MODEL and ASSISTANT_LLM__API_KEY, or use answer.mode 'extractive'"
        )

    def complete(self, messages: list[tuple[str, str]]) -> str:
        try:
            reply = self._chat.invoke(messages)
        except Exception as exc:
            raise self._error(exc) from exc
        return str(reply.content)

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        try:
            for chunk in self._chat.stream(messages):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise self._error(exc) from exc
