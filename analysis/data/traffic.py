"""The traffic rows of ``assumptions.csv``, derived from the Azure LLM inference trace 2023.

The trace (Patel et al., "Splitwise", ISCA 2024; Azure/AzurePublicDataset, CC BY 4.0) holds one row per request of
two production services over an hour: the context (input) and generated (output) tokens. A copy with its licence
is in ``data/sources/azure-llm-inference-2023/``. :func:`derive` computes the figures the dataset takes from it, and a
test holds ``assumptions.csv`` to them:

- ``output_token_share``: low the coding service's share of output tokens; high the share in the quarter of
  conversation requests whose own output share is highest (answers long for their prompts);
- ``tokens_per_request``: the mean request of the conversation service (low) and of the coding service (high).

The report reads ``assumptions.csv``, never the trace: one route from a figure to a page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import paths

TRACE_DIR = paths.DATA_DIR / "sources" / "azure-llm-inference-2023"
SERVICES = {"conversation": "AzureLLMInferenceTrace_conv.csv", "coding": "AzureLLMInferenceTrace_code.csv"}
# The conversation requests taken as long-output chat: the top quarter by their own output share.
LONG_OUTPUT_QUANTILE = 0.75


def requests(service: str, trace_dir: Path = TRACE_DIR) -> pd.DataFrame:
    """One service's requests: ``input_tokens`` and ``output_tokens`` per row."""
    frame = pd.read_csv(trace_dir / SERVICES[service], usecols=["ContextTokens", "GeneratedTokens"])
    return frame.rename(columns={"ContextTokens": "input_tokens", "GeneratedTokens": "output_tokens"})


def output_share(frame: pd.DataFrame) -> float:
    """Output tokens over all tokens: ``sum(output) / (sum(input) + sum(output))``."""
    output = float(frame["output_tokens"].sum())
    return output / (float(frame["input_tokens"].sum()) + output)


def derive(trace_dir: Path = TRACE_DIR) -> dict[str, float]:
    """The trace's figures, by name: ``output_share_<service>``, ``mean_tokens_<service>`` (input + output of the
    mean request), ``requests_<service>`` and ``output_share_long_chat`` (see the module's docstring)."""
    figures: dict[str, float] = {}
    for service in SERVICES:
        frame = requests(service, trace_dir)
        figures[f"requests_{service}"] = float(len(frame))
        figures[f"output_share_{service}"] = output_share(frame)
        figures[f"mean_tokens_{service}"] = float((frame["input_tokens"] + frame["output_tokens"]).mean())
    chat = requests("conversation", trace_dir)
    own = chat["output_tokens"] / (chat["input_tokens"] + chat["output_tokens"])
    figures["output_share_long_chat"] = output_share(chat[own >= own.quantile(LONG_OUTPUT_QUANTILE)])
    return figures


def assumption_ranges(trace_dir: Path = TRACE_DIR) -> dict[str, tuple[float, float]]:
    """``(low, high)`` of each row of ``assumptions.csv`` the trace gives, rounded as the dataset stores them
    (shares to 0.001, tokens to whole tokens)."""
    f = derive(trace_dir)
    return {"output_token_share": (round(f["output_share_coding"], 3), round(f["output_share_long_chat"], 3)),
            "tokens_per_request": (round(f["mean_tokens_conversation"]), round(f["mean_tokens_coding"]))}
