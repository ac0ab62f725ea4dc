"""The answering core: normalise a question, rank the entries, decide, render the card."""
