"""A service that starts but never listens on its port."""

import threading

print("starting, but never listening", flush=True)
threading.Event().wait(120)
