"""The functions of the course's language (the sigmoid), shared by the core and the parser."""
