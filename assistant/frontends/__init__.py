"""Front ends: the command line, the Gradio web UI and the LangChain retriever. Each parses its
input, calls one method of the ``Assistant`` and renders the result."""
