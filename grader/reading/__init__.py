"""Reading what students type: an allow-list tokenizer and parser, and its messages."""
