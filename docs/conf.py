"""Sphinx configuration: Markdown pages (MyST) and an API reference generated from the numpydoc docstrings."""

from importlib import metadata

project = "vaeaug"
author = "the vaeaug developers"
release = metadata.version("vaeaug")
version = release

extensions = [
    "myst_parser",  # the pages are Markdown, readable on GitHub as they are
    "sphinx.ext.autodoc",
    "numpydoc",  # the docstrings follow numpydoc, as scikit-learn's do
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "probes"]

myst_heading_anchors = 3  # links such as guide/auto.md#cost reach a heading
myst_enable_extensions = ["dollarmath"]

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False  # the members are documented once, by autodoc
numpydoc_class_members_toctree = False

html_theme = "furo"
html_title = f"vaeaug {release}"
html_static_path = ["_static"]
