"""Text helpers below everything: tokens, decoding, visible escaping, cell widths."""
