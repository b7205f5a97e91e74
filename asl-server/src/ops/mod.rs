pub(crate) mod test_state;
