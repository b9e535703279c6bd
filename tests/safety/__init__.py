"""Attacks on ks as root and as other users: special files, planted links, metadata races."""
