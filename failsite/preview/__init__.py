"""The live preview: classify a change, rebuild the smallest part, serve it and reload the browser.

Takes the site folder and file-system events; gives a preview folder that always holds the last
good, audited build and an HTTP server with Server-Sent Events for reload. Open `server.py`
first, then `changes.py` (a change's kind, a pure function) and `rebuild.py` (the in-memory site).
"""
