//! Beheer of the social map: an aanbieder keeps its own services (a beheerder
//! all), and a beheerder keeps the wijzer's content.

pub mod services;
pub mod wijzer;
