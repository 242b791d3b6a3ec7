"""The simulated industry behind `twinimpact demo`: brands, shoots, crew, twins and licences."""
