"""One city's spend: its inputs read, suppliers resolved, built and cached."""
