"""Where a question is answered: hybrid retrieval (filters, fusion), extractive answers and the
refusal gate, citations, follow-up rewriting, and LLM answers with checked markers.

Services over the ``index`` and ``embed`` adapters; they know nothing of how documents enter.
"""
