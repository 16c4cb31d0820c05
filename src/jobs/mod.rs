//! Background work: the maturation pass, run on an interval inside `serve` and once by
//! `reftrack jobs run-once`.

pub mod maturation;
