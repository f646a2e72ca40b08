"""The story desk: writing, editing and reviewing content files in the browser, served beside the preview.

Takes the preview's site (its schema, every file as parsed, its renderer) and the browser's
requests; gives forms made from each type's fields, each file checked as `failsite check` would,
and writes into the content folder that change only the fields a person changed. Open `app.py`
first (the pages, the requests and their guards), then `forms.py` (schema to form, form to file),
`document.py` (a file as fields and lines), `values.py` (a field's value to YAML and back),
`checking.py`, `queue.py` and `store.py` (the one door to the content folder).
"""
