"""Privacy: what may be published, and proof that nothing else was.

Takes the private registry, the site's rules and Items; gives anonymised Items (names, emails,
phones and internal URLs replaced), the one publishing predicate, and the leak audit that reads
every output file before it is published. Open `anonymise.py` first, then `matcher.py` (how a
name is found in any form), `audit.py` and `publish.py`. Also: `registry`, `namecheck`.
"""
