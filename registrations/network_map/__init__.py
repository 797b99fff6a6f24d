"""The network, visible: the authorities taking part in a conference, listed and on a map drawn
on the server (country outlines shipped with the project, authority coordinates in the
database)."""
