"""Evaluation: the harness that runs a questions file through the assistant, and the metrics
(retrieval, evidence, answers, citations, refusals, latency) computed from its records."""
