"""The network as one immutable model, and its public addresses."""
