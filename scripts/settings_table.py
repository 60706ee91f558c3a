"""Print the settings as a Markdown table (pasted into the README; a test keeps them in step)."""

from __future__ import annotations

from pydantic import BaseModel

from assistant.core.settings import Settings


def rows(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str]]:
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(rows(ann, f"{prefix}{name}__"))
            continue
        default = field.default_factory() if field.default_factory else field.default
        if isinstance(default, tuple):
            default = ",".join(default)
        elif isinstance(default, list):
            default = ",".join(str(d) for d in default)
        out.append((f"ASSISTANT_{prefix}{name}".upper(), str(default), field.description or ""))
    return out


def table() -> str:
    lines = ["| environment variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{env}` | `{default}` | {desc} |" for env, default, desc in rows(Settings)]
    return "\n".join(lines)


def main() -> None:
    print(table())


if __name__ == "__main__":
    main()
