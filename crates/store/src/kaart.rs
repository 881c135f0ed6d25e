//! Storage for the sociale kaart and the Eigen Kracht Wijzer: services,
//! organisations (providers' HSDS identity), locations, the wijzer's content
//! and residents' requests for a professional to think along.
//!
//! Services are read whole and filtered in Rust (`baken_domain::kaart`), so
//! search is Dutch-aware and identical on both backends; a municipality's map
//! is hundreds to a few thousand rows.

use crate::{exec, now, versioned_update, with_conn, Result, StoreError, Tx};
use baken_domain::kaart::{Service, ServiceDraft, WijzerContent};
use serde::Serialize;

/// A random RFC 4122 version-4 UUID, the identifier HSDS wants.
pub fn new_uuid() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A deterministic UUID (RFC 4122 layout, version 8 "custom") from a seed: for
/// ids derived from a parent's id, and for demo data that must be the same on
/// every run.
pub fn derived_uuid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A service on the map with its identity and places.
#[derive(Debug, Clone, Serialize)]
pub struct MapService {
    pub id: i64,
    pub uuid: String,
    pub provider_id: i64,
    pub provider_name: String,
    pub version: i64,
    pub service: Service,
    pub locations: Vec<ServiceLocation>,
    /// False while an imported service waits for a beheerder to set Baken's
    /// own facts ("nog in te delen"): then it is not on the public map.
    pub classified: bool,
    /// Why the facts it holds were suggested (empty once classified by hand).
    pub classification_note: String,
    /// The HSDS object as its publisher gave it (JSON), for what Baken does not model.
    pub hsds: Option<String>,
    /// When the service last changed (HSDS API's `modified_after`).
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A location where a service is offered (HSDS service_at_location).
#[derive(Debug, Clone, Serialize)]
pub struct ServiceLocation {
    pub uuid: String,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Location {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub district_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Organization {
    pub provider_id: i64,
    pub uuid: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub website: String,
    pub email: String,
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    uuid: String,
    provider_id: i64,
    provider_name: String,
    name: String,
    description: String,
    domains: String,
    step: i64,
    form: String,
    reach: String,
    access: String,
    cost_cents: Option<i64>,
    cost_unit: Option<String>,
    districts: String,
    schedule: String,
    eligibility: String,
    min_age: Option<i64>,
    max_age: Option<i64>,
    how_to_apply: String,
    capacity: String,
    phone: String,
    email: String,
    website: String,
    status: String,
    volunteering: bool,
    version: i64,
    classified: bool,
    classification_note: String,
    hsds: Option<String>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ServiceRow {
    fn into_map_service(self) -> Result<MapService> {
        let draft = ServiceDraft {
            name: self.name,
            description: self.description,
            domains: split(&self.domains),
            step: self.step.to_string(),
            form: self.form,
            reach: self.reach,
            access: self.access,
            cost: self
                .cost_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
            cost_unit: self.cost_unit.unwrap_or_default(),
            districts: split(&self.districts),
            schedule: self.schedule,
            eligibility: self.eligibility,
            min_age: self.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: self.max_age.map(|a| a.to_string()).unwrap_or_default(),
            how_to_apply: self.how_to_apply,
            capacity: self.capacity,
            phone: self.phone,
            email: self.email,
            website: self.website,
            status: self.status,
            volunteering: self.volunteering,
        };
        let service = draft
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("service {}: {e:?}", self.id)))?;
        Ok(MapService {
            id: self.id,
            uuid: self.uuid,
            provider_id: self.provider_id,
            provider_name: self.provider_name,
            version: self.version,
            service,
            locations: Vec::new(),
            classified: self.classified,
            classification_note: self.classification_note,
            hsds: self.hsds,
            updated_at: self.updated_at,
        })
    }
}

const SERVICE_COLS: &str = "s.id, s.uuid, s.provider_id, p.name AS provider_name, s.name, s.description, \
    s.domains, s.step, s.form, s.reach, s.access, s.cost_cents, s.cost_unit, s.districts, s.schedule, \
    s.eligibility, s.min_age, s.max_age, s.how_to_apply, s.capacity, s.phone, s.email, s.website, \
    s.status, s.volunteering, s.version, s.classified, s.classification_note, s.hsds, s.updated_at";

#[derive(sqlx::FromRow)]
struct LinkRow {
    service_id: i64,
    sal_uuid: String,
    id: i64,
    uuid: String,
    name: String,
    address: String,
    postcode: String,
    city: String,
    district_code: Option<String>,
}

/// Every service, optionally only one provider's, ordered by name, with locations.
pub async fn services(tx: &mut Tx, provider: Option<i64>) -> Result<Vec<MapService>> {
    let sql = format!(
        "SELECT {SERVICE_COLS} FROM kaart_services s JOIN providers p ON p.id = s.provider_id \
         WHERE ($1 IS NULL OR s.provider_id = $1) ORDER BY s.name, s.uuid"
    );
    let rows: Vec<ServiceRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(provider)
        .fetch_all(&mut *c)
        .await)?;
    let links: Vec<LinkRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT sl.service_id, sl.uuid AS sal_uuid, l.id, l.uuid, l.name, l.address, l.postcode, l.city, l.district_code \
         FROM kaart_service_locations sl JOIN kaart_locations l ON l.id = sl.location_id ORDER BY l.name, sl.uuid"
    )
    .fetch_all(&mut *c)
    .await
    })?;
    let mut out: Vec<MapService> = rows
        .into_iter()
        .map(ServiceRow::into_map_service)
        .collect::<Result<_>>()?;
    let mut by_id: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for (i, s) in out.iter().enumerate() {
        by_id.insert(s.id, i);
    }
    for l in links {
        if let Some(&i) = by_id.get(&l.service_id) {
            out[i].locations.push(ServiceLocation {
                uuid: l.sal_uuid,
                location: Location {
                    id: l.id,
                    uuid: l.uuid,
                    name: l.name,
                    address: l.address,
                    postcode: l.postcode,
                    city: l.city,
                    district_code: l.district_code,
                },
            });
        }
    }
    Ok(out)
}

/// One service with its locations.
pub async fn service(tx: &mut Tx, id: i64) -> Result<Option<MapService>> {
    let sql = format!(
        "SELECT {SERVICE_COLS} FROM kaart_services s JOIN providers p ON p.id = s.provider_id WHERE s.id = $1"
    );
    let row: Option<ServiceRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let mut s = row.into_map_service()?;
    let links: Vec<LinkRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT sl.service_id, sl.uuid AS sal_uuid, l.id, l.uuid, l.name, l.address, l.postcode, l.city, l.district_code \
         FROM kaart_service_locations sl JOIN kaart_locations l ON l.id = sl.location_id WHERE sl.service_id = $1 ORDER BY l.name, sl.uuid"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await
    })?;
    s.locations = links
        .into_iter()
        .map(|l| ServiceLocation {
            uuid: l.sal_uuid,
            location: Location {
                id: l.id,
                uuid: l.uuid,
                name: l.name,
                address: l.address,
                postcode: l.postcode,
                city: l.city,
                district_code: l.district_code,
            },
        })
        .collect();
    Ok(Some(s))
}

pub async fn service_id_by_uuid(tx: &mut Tx, uuid: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM kaart_services WHERE uuid = $1"
    )
    .bind(uuid)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.map(|r| r.0))
}

fn join<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// Creates a service for a provider; `uuid` None makes a new one.
pub async fn create_service(
    tx: &mut Tx,
    provider_id: i64,
    uuid: Option<&str>,
    s: &Service,
) -> Result<i64> {
    ensure_organization(tx, provider_id).await?;
    let uuid = uuid.map(str::to_owned).unwrap_or_else(new_uuid);
    let ts = now();
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO kaart_services (uuid, provider_id, name, description, domains, step, form, reach, access, \
             cost_cents, cost_unit, districts, schedule, eligibility, min_age, max_age, how_to_apply, capacity, \
             phone, email, website, status, volunteering, version, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,1,$24,$24) RETURNING id",
        )
        .bind(&uuid)
        .bind(provider_id)
        .bind(&s.name)
        .bind(&s.description)
        .bind(join(s.domains.iter().map(|d| d.as_str())))
        .bind(s.step.value() as i64)
        .bind(s.form.label())
        .bind(s.reach.as_str())
        .bind(s.access.as_str())
        .bind(s.cost_cents)
        .bind(s.cost_unit.map(|u| u.as_str()))
        .bind(join(s.districts.iter().map(|d| d.as_str())))
        .bind(&s.schedule)
        .bind(&s.eligibility)
        .bind(s.ages.min().map(i64::from))
        .bind(s.ages.max().map(i64::from))
        .bind(&s.how_to_apply)
        .bind(&s.capacity)
        .bind(&s.phone)
        .bind(&s.email)
        .bind(&s.website)
        .bind(s.status.as_str())
        .bind(s.volunteering)
        .bind(ts)
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("service {uuid}")))?;
    Ok(id)
}

/// Changes a service (optimistic locking on `expected_version`); returns the new version.
pub async fn update_service(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    s: &Service,
) -> Result<i64> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE kaart_services SET name = $1, description = $2, domains = $3, step = $4, form = $5, reach = $6, \
             access = $7, cost_cents = $8, cost_unit = $9, districts = $10, schedule = $11, eligibility = $12, \
             min_age = $13, max_age = $14, how_to_apply = $15, capacity = $16, phone = $17, email = $18, website = $19, \
             status = $20, volunteering = $21, version = version + 1, updated_at = $22 WHERE id = $23 AND version = $24",
        )
        .bind(&s.name)
        .bind(&s.description)
        .bind(join(s.domains.iter().map(|d| d.as_str())))
        .bind(s.step.value() as i64)
        .bind(s.form.label())
        .bind(s.reach.as_str())
        .bind(s.access.as_str())
        .bind(s.cost_cents)
        .bind(s.cost_unit.map(|u| u.as_str()))
        .bind(join(s.districts.iter().map(|d| d.as_str())))
        .bind(&s.schedule)
        .bind(&s.eligibility)
        .bind(s.ages.min().map(i64::from))
        .bind(s.ages.max().map(i64::from))
        .bind(&s.how_to_apply)
        .bind(&s.capacity)
        .bind(&s.phone)
        .bind(&s.email)
        .bind(&s.website)
        .bind(s.status.as_str())
        .bind(s.volunteering)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })?;
    versioned_update(tx, n, expected_version, format!("service {id}"), |tx| {
        Box::pin(async move { service_id_exists(tx, id).await })
    })
    .await
}

async fn service_id_exists(tx: &mut Tx, id: i64) -> Result<bool> {
    let row: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM kaart_services WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.is_some())
}

/// Marks a service as imported: the publisher's HSDS object (JSON) and whether
/// Baken's own facts are set (`classified`) or only suggested, and why (`note`).
pub async fn set_service_import(
    tx: &mut Tx,
    id: i64,
    hsds: &str,
    classified: bool,
    note: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "UPDATE kaart_services SET hsds = $1, classified = $2, classification_note = $3 WHERE id = $4"
    )
    .bind(hsds)
    .bind(classified)
    .bind(note)
    .bind(id)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// A beheerder has set Baken's own facts: the service may go on the public map.
pub async fn mark_classified(tx: &mut Tx, id: i64) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "UPDATE kaart_services SET classified = TRUE, classification_note = '', version = version + 1 WHERE id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Tables that keep a publisher's HSDS object next to Baken's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HsdsKept {
    Organization,
    Location,
    ServiceAtLocation,
}

/// Keeps the publisher's HSDS object (JSON) for an organisation, location or
/// service-at-location, by its uuid.
pub async fn set_kept_hsds(tx: &mut Tx, table: HsdsKept, uuid: &str, body: &str) -> Result<()> {
    let sql = match table {
        HsdsKept::Organization => "UPDATE kaart_organizations SET hsds = $1 WHERE uuid = $2",
        HsdsKept::Location => "UPDATE kaart_locations SET hsds = $1 WHERE uuid = $2",
        HsdsKept::ServiceAtLocation => {
            "UPDATE kaart_service_locations SET hsds = $1 WHERE uuid = $2"
        }
    };
    exec!(tx, |c| sqlx::query(sql)
        .bind(body)
        .bind(uuid)
        .execute(&mut *c)
        .await)?;
    Ok(())
}

/// The kept HSDS objects of one table, by uuid.
pub async fn kept_hsds(
    tx: &mut Tx,
    table: HsdsKept,
) -> Result<std::collections::HashMap<String, String>> {
    let sql = match table {
        HsdsKept::Organization => {
            "SELECT uuid, hsds FROM kaart_organizations WHERE hsds IS NOT NULL"
        }
        HsdsKept::Location => "SELECT uuid, hsds FROM kaart_locations WHERE hsds IS NOT NULL",
        HsdsKept::ServiceAtLocation => {
            "SELECT uuid, hsds FROM kaart_service_locations WHERE hsds IS NOT NULL"
        }
    };
    let rows: Vec<(String, String)> =
        with_conn!(tx, |c| sqlx::query_as(sql).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().collect())
}

/// What a publisher gave that has no row of its own in Baken, kept as given
/// by kind: `taxonomy`, `taxonomy_term`, or a tabular table's file name for
/// rows that name nothing in their file.
pub async fn upsert_kept_object(tx: &mut Tx, kind: &str, uuid: &str, body: &str) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "INSERT INTO kaart_hsds_kept (kind, uuid, body) VALUES ($1, $2, $3) \
         ON CONFLICT (kind, uuid) DO UPDATE SET body = $3"
    )
    .bind(kind)
    .bind(uuid)
    .bind(body)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// The kept objects of one kind: (uuid, body), ordered by uuid.
pub async fn kept_objects(tx: &mut Tx, kind: &str) -> Result<Vec<(String, String)>> {
    let rows = with_conn!(tx, |c| sqlx::query_as(
        "SELECT uuid, body FROM kaart_hsds_kept WHERE kind = $1 ORDER BY uuid"
    )
    .bind(kind)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}

/// A provider's description, website and e-mail address on the map (empty when
/// it has no HSDS organisation row yet).
pub async fn organization_details(
    tx: &mut Tx,
    provider_id: i64,
) -> Result<(String, String, String)> {
    let row: Option<(String, String, String)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT description, website, email FROM kaart_organizations WHERE provider_id = $1"
    )
    .bind(provider_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.unwrap_or_default())
}

/// Sets a provider's description, website and e-mail address (its HSDS
/// organisation keeps its id; one is made if it has none).
pub async fn set_organization_details(
    tx: &mut Tx,
    provider_id: i64,
    details: &baken_domain::ProviderDetails,
) -> Result<()> {
    ensure_organization(tx, provider_id).await?;
    exec!(tx, |c| {
        sqlx::query(
        "UPDATE kaart_organizations SET description = $1, website = $2, email = $3 WHERE provider_id = $4"
    )
    .bind(details.description())
    .bind(details.website())
    .bind(details.email())
    .bind(provider_id)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Gives a provider its HSDS organisation row if it has none.
pub async fn ensure_organization(tx: &mut Tx, provider_id: i64) -> Result<()> {
    let row: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT provider_id FROM kaart_organizations WHERE provider_id = $1"
    )
    .bind(provider_id)
    .fetch_optional(&mut *c)
    .await)?;
    if row.is_none() {
        upsert_organization(tx, provider_id, &new_uuid(), "", "", "").await?;
    }
    Ok(())
}

pub async fn upsert_organization(
    tx: &mut Tx,
    provider_id: i64,
    uuid: &str,
    description: &str,
    website: &str,
    email: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO kaart_organizations (provider_id, uuid, description, website, email) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (provider_id) DO UPDATE SET uuid = $2, description = $3, website = $4, email = $5"
    )
    .bind(provider_id)
    .bind(uuid)
    .bind(description)
    .bind(website)
    .bind(email)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Gives a provider (an HSDS organisation) a new name, e.g. from an import. The
/// version goes up, so a beheerder's form opened before is stale (a conflict, not
/// a silent undo of the import).
/// Provider names are unique: a name another provider has is a conflict.
pub async fn rename_provider(tx: &mut Tx, provider_id: i64, name: &str) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "UPDATE providers SET name = $1, version = version + 1 WHERE id = $2"
    )
    .bind(name)
    .bind(provider_id)
    .execute(&mut *c)
    .await)
    .map_err(|e| StoreError::from_insert(e, &format!("provider name '{name}'")))?;
    Ok(())
}

pub async fn organizations(tx: &mut Tx) -> Result<Vec<Organization>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT o.provider_id, o.uuid, p.name, p.kind, o.description, o.website, o.email \
         FROM kaart_organizations o JOIN providers p ON p.id = o.provider_id ORDER BY p.name, o.uuid"
    )
    .fetch_all(&mut *c)
    .await
    })?;
    Ok(rows)
}

pub async fn locations(tx: &mut Tx) -> Result<Vec<Location>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT id, uuid, name, address, postcode, city, district_code FROM kaart_locations ORDER BY name, uuid"
    )
    .fetch_all(&mut *c)
    .await
    })?;
    Ok(rows)
}

/// Creates or (same uuid) changes a location; returns its id.
pub async fn upsert_location(tx: &mut Tx, l: &Location) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO kaart_locations (uuid, name, address, postcode, city, district_code) VALUES ($1,$2,$3,$4,$5,$6) \
         ON CONFLICT (uuid) DO UPDATE SET name = $2, address = $3, postcode = $4, city = $5, district_code = $6 RETURNING id"
    )
    .bind(&l.uuid)
    .bind(&l.name)
    .bind(&l.address)
    .bind(&l.postcode)
    .bind(&l.city)
    .bind(&l.district_code)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Links a service to a location (HSDS service_at_location), idempotent on the
/// uuid. When the pair is already linked under another uuid (a file from
/// another system names the same link), the link takes this uuid.
pub async fn link_location(
    tx: &mut Tx,
    sal_uuid: &str,
    service_id: i64,
    location_id: i64,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "DELETE FROM kaart_service_locations WHERE service_id = $1 AND location_id = $2 AND uuid <> $3"
    )
    .bind(service_id)
    .bind(location_id)
    .bind(sal_uuid)
    .execute(&mut *c)
    .await
    })?;
    exec!(tx, |c| sqlx::query(
        "INSERT INTO kaart_service_locations (uuid, service_id, location_id) VALUES ($1,$2,$3) \
         ON CONFLICT (uuid) DO UPDATE SET service_id = $2, location_id = $3"
    )
    .bind(sal_uuid)
    .bind(service_id)
    .bind(location_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// The kinds of wijzer content, as stored.
pub const WIJZER_KINDS: [&str; 8] = [
    "topic",
    "question",
    "interest",
    "network",
    "story",
    "rule",
    "synonym",
    "limitation",
];

/// One stored piece of wijzer content.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WijzerItem {
    pub kind: String,
    pub key: String,
    pub position: i64,
    pub body: String,
    pub version: i64,
}

pub async fn wijzer_items(tx: &mut Tx, kind: Option<&str>) -> Result<Vec<WijzerItem>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT kind, key, position, body, version FROM kaart_wijzer_items WHERE ($1 IS NULL OR kind = $1) ORDER BY kind, position, key"
    )
    .bind(kind)
    .fetch_all(&mut *c)
    .await
    })?;
    Ok(rows)
}

/// The synonym groups a beheerder set (the public map's search uses them too).
pub async fn wijzer_synonyms(tx: &mut Tx) -> Result<Vec<baken_domain::kaart::SynonymGroup>> {
    wijzer_items(tx, Some("synonym"))
        .await?
        .iter()
        .map(|item| {
            serde_json::from_str(&item.body)
                .map_err(|e| StoreError::Corrupt(format!("wijzer synonym {}: {e}", item.key)))
        })
        .collect()
}

/// The whole wijzer content, in the order a beheerder set.
pub async fn wijzer_content(tx: &mut Tx) -> Result<WijzerContent> {
    let mut content = WijzerContent::default();
    for item in wijzer_items(tx, None).await? {
        let bad = |e: serde_json::Error| {
            StoreError::Corrupt(format!("wijzer {} {}: {e}", item.kind, item.key))
        };
        match item.kind.as_str() {
            "topic" => content
                .topics
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "question" => content
                .questions
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "interest" => content
                .interests
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "network" => content
                .network
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "story" => content
                .stories
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "rule" => content
                .rules
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "synonym" => content
                .synonyms
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            "limitation" => content
                .limitations
                .push(serde_json::from_str(&item.body).map_err(bad)?),
            other => return Err(StoreError::Corrupt(format!("unknown wijzer kind {other}"))),
        }
    }
    Ok(content)
}

/// Creates (expected_version None) or changes one piece of wijzer content.
pub async fn save_wijzer_item(
    tx: &mut Tx,
    kind: &str,
    key: &str,
    position: i64,
    body: &str,
    expected_version: Option<i64>,
) -> Result<i64> {
    match expected_version {
        None => {
            exec!(tx, |c| sqlx::query(
                "INSERT INTO kaart_wijzer_items (kind, key, position, body, version, updated_at) VALUES ($1,$2,$3,$4,1,$5)"
            )
            .bind(kind)
            .bind(key)
            .bind(position)
            .bind(body)
            .bind(now())
            .execute(&mut *c)
            .await)
            .map_err(|e| StoreError::from_insert(e, &format!("{kind} '{key}'")))?;
            Ok(1)
        }
        Some(v) => {
            let n = exec!(tx, |c| {
                sqlx::query(
                "UPDATE kaart_wijzer_items SET position = $1, body = $2, version = version + 1, updated_at = $3 \
                 WHERE kind = $4 AND key = $5 AND version = $6"
            )
            .bind(position)
            .bind(body)
            .bind(now())
            .bind(kind)
            .bind(key)
            .bind(v)
            .execute(&mut *c)
            .await
            })?;
            // Deleted meanwhile is someone else's change too: a conflict, not
            // "not found", so the beheerder sees what happened.
            versioned_update(tx, n, v, format!("{kind} '{key}'"), |_| {
                Box::pin(async { Ok(true) })
            })
            .await
        }
    }
}

pub async fn delete_wijzer_item(tx: &mut Tx, kind: &str, key: &str) -> Result<()> {
    let n = exec!(tx, |c| sqlx::query(
        "DELETE FROM kaart_wijzer_items WHERE kind = $1 AND key = $2"
    )
    .bind(kind)
    .bind(key)
    .execute(&mut *c)
    .await)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("{kind} '{key}'")));
    }
    Ok(())
}

/// Replaces nothing: writes each piece of content that is not stored yet.
pub async fn write_wijzer_content(tx: &mut Tx, content: &WijzerContent) -> Result<()> {
    fn enc<T: Serialize>(v: &T) -> Result<String> {
        serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
    let mut items: Vec<(&str, String, String)> = Vec::new();
    items.extend(
        content
            .topics
            .iter()
            .map(|t| Ok::<_, StoreError>(("topic", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .questions
            .iter()
            .map(|t| Ok(("question", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .interests
            .iter()
            .map(|t| Ok(("interest", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .network
            .iter()
            .map(|t| Ok(("network", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .stories
            .iter()
            .map(|t| Ok(("story", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .rules
            .iter()
            .map(|t| Ok(("rule", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .synonyms
            .iter()
            .map(|t| Ok(("synonym", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    items.extend(
        content
            .limitations
            .iter()
            .map(|t| Ok(("limitation", t.key.clone(), enc(t)?)))
            .collect::<Result<Vec<_>>>()?,
    );
    for (i, (kind, key, body)) in items.iter().enumerate() {
        save_wijzer_item(tx, kind, key, i as i64 + 1, body, None).await?;
    }
    Ok(())
}

/// A resident's request for a professional to think along, with consent:
/// the answers as keys (`answers_json`) and in the words the resident saw
/// (`labelled_json`).
pub async fn create_help_request(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
    district: Option<&str>,
    answers_json: &str,
    labelled_json: &str,
    contact: &str,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO kaart_help_requests (created_at, district_code, answers, labelled, contact, status) VALUES ($1,$2,$3,$4,$5,'nieuw') RETURNING id"
    )
    .bind(at)
    .bind(district)
    .bind(answers_json)
    .bind(labelled_json)
    .bind(contact)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Records which casework signal a request for help became.
pub async fn set_help_request_signal(tx: &mut Tx, id: i64, signal_id: i64) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "UPDATE kaart_help_requests SET signal_id = $1 WHERE id = $2"
    )
    .bind(signal_id)
    .bind(id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// For these signals, the request for help each came from: (signal, request).
pub async fn help_requests_of_signals(tx: &mut Tx, signals: &[i64]) -> Result<Vec<(i64, i64)>> {
    if signals.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are numbers from the database, joined into the statement: no
    // text from a user reaches it.
    let list = signals
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT signal_id, id FROM kaart_help_requests WHERE signal_id IN ({list}) ORDER BY signal_id"
    );
    let rows: Vec<(i64, i64)> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    Ok(rows)
}

pub async fn count_help_requests(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM kaart_help_requests"
    )
    .fetch_one(&mut *c)
    .await)?;
    Ok(n)
}

/// Writes the synthetic social map and wijzer content (called once from
/// `demo::load`, inside its transaction). `provider_ids` are the ids of
/// `m.providers`, in order.
#[cfg(feature = "demo")]
pub async fn load_demo(
    tx: &mut Tx,
    m: &baken_synth::Municipality,
    provider_ids: &[i64],
) -> Result<()> {
    let k = baken_synth::kaart::kaart(m);
    for o in &k.organizations {
        let Some(&pid) = provider_ids.get(o.provider) else {
            continue;
        };
        let uuid = derived_uuid(&format!("demo:organization:{}", o.provider));
        upsert_organization(tx, pid, &uuid, &o.description, &o.website, &o.email).await?;
    }
    let mut location_ids = Vec::with_capacity(k.locations.len());
    for (i, l) in k.locations.iter().enumerate() {
        location_ids.push(
            upsert_location(
                tx,
                &Location {
                    id: 0,
                    uuid: derived_uuid(&format!("demo:location:{i}")),
                    name: l.name.clone(),
                    address: l.address.clone(),
                    postcode: l.postcode.clone(),
                    city: l.city.clone(),
                    district_code: l.district.clone(),
                },
            )
            .await?,
        );
    }
    for (i, s) in k.services.iter().enumerate() {
        let service = s
            .draft
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("demo service {}: {e:?}", s.draft.name)))?;
        let Some(&pid) = provider_ids.get(s.provider) else {
            continue;
        };
        let uuid = derived_uuid(&format!("demo:service:{i}"));
        let id = create_service(tx, pid, Some(&uuid), &service).await?;
        for &l in &s.locations {
            if let Some(&lid) = location_ids.get(l) {
                link_location(
                    tx,
                    &derived_uuid(&format!("demo:service:{i}:location:{l}")),
                    id,
                    lid,
                )
                .await?;
            }
        }
    }
    write_wijzer_content(tx, &k.wijzer).await
}

/// What [`change_locations`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LocationChange {
    pub linked: usize,
    pub unlinked: usize,
}

/// Changes the places of a service by naming what changes: `link` are added
/// (an existing link keeps its HSDS id), `unlink` are removed, and every other
/// link stays — so a form that showed some of a service's places can never
/// drop the ones it did not show. Every id must be a location that exists.
pub async fn change_locations(
    tx: &mut Tx,
    service_id: i64,
    link: &[i64],
    unlink: &[i64],
) -> Result<LocationChange> {
    let current: Vec<(String, i64)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT uuid, location_id FROM kaart_service_locations WHERE service_id = $1"
    )
    .bind(service_id)
    .fetch_all(&mut *c)
    .await)?;
    let known: Vec<i64> = locations(tx).await?.iter().map(|l| l.id).collect();
    if let Some(bad) = link.iter().chain(unlink).find(|l| !known.contains(l)) {
        return Err(StoreError::NotFound(format!("location {bad}")));
    }
    let mut change = LocationChange::default();
    for (uuid, lid) in &current {
        if unlink.contains(lid) && !link.contains(lid) {
            exec!(tx, |c| sqlx::query(
                "DELETE FROM kaart_service_locations WHERE uuid = $1"
            )
            .bind(uuid)
            .execute(&mut *c)
            .await)?;
            change.unlinked += 1;
        }
    }
    let mut done: Vec<i64> = current.iter().map(|(_, l)| *l).collect();
    for lid in link {
        if !done.contains(lid) {
            link_location(tx, &new_uuid(), service_id, *lid).await?;
            done.push(*lid);
            change.linked += 1;
        }
    }
    Ok(change)
}

/// Creates a location a provider typed in; returns it with its ids.
pub async fn create_location(
    tx: &mut Tx,
    l: &baken_domain::kaart::NewLocation,
) -> Result<Location> {
    let mut loc = Location {
        id: 0,
        uuid: new_uuid(),
        name: l.name.clone(),
        address: l.address.clone(),
        postcode: l.postcode.to_string(),
        city: l.city.clone(),
        district_code: l.district.as_ref().map(|d| d.to_string()),
    };
    loc.id = upsert_location(tx, &loc).await?;
    Ok(loc)
}

/// A request for help as the wijkteam sees it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct HelpRequest {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub district_code: Option<String>,
    pub answers: String,
    /// The answers in the words the resident saw (None for requests made
    /// before this was kept).
    pub labelled: Option<String>,
    pub contact: String,
    pub status: String,
    pub signal_id: Option<i64>,
    /// The one team the request (and its signal) went to; None for requests
    /// from before requests were routed to one team.
    pub team_id: Option<i64>,
}

const HELP_COLS: &str =
    "id, created_at, district_code, answers, labelled, contact, status, signal_id, team_id";

/// The one team a request for help goes to: the team of the household at
/// the resident's address, or else the (first) team of the district the
/// resident chose; None when neither is known.
pub async fn help_request_team(
    tx: &mut Tx,
    postcode: &str,
    house_number: i64,
    district: Option<&str>,
) -> Result<Option<i64>> {
    let at_address: Option<(Option<i64>,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT team_id FROM households WHERE postcode = $1 AND house_number = $2 \
         AND team_id IS NOT NULL ORDER BY id LIMIT 1"
    )
    .bind(postcode)
    .bind(house_number)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some((Some(team),)) = at_address {
        return Ok(Some(team));
    }
    let Some(district) = district else {
        return Ok(None);
    };
    let of_district: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM teams WHERE district_code = $1 ORDER BY id LIMIT 1"
    )
    .bind(district)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(of_district.map(|t| t.0))
}

/// Sends a request for help and its signal to one team, together.
pub async fn route_help_request(
    tx: &mut Tx,
    id: i64,
    signal_id: i64,
    team_id: Option<i64>,
) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "UPDATE kaart_help_requests SET signal_id = $1, team_id = $2 WHERE id = $3"
    )
    .bind(signal_id)
    .bind(team_id)
    .bind(id)
    .execute(&mut *c)
    .await)?;
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_signals SET team_id = $1 WHERE id = $2"
    )
    .bind(team_id)
    .bind(signal_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// One request for help.
pub async fn help_request(tx: &mut Tx, id: i64) -> Result<Option<HelpRequest>> {
    let sql = format!("SELECT {HELP_COLS} FROM kaart_help_requests WHERE id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// The newest requests a team sees: those routed to it, and of the requests
/// from before routing, those for its district (and those without one).
/// Neither team nor district: every request.
pub async fn help_requests(
    tx: &mut Tx,
    team: Option<i64>,
    district: Option<&str>,
    limit: i64,
) -> Result<Vec<HelpRequest>> {
    let sql = format!(
        "SELECT {HELP_COLS} FROM kaart_help_requests \
         WHERE ($3 IS NULL AND $1 IS NULL) OR (team_id IS NOT NULL AND team_id = $3) \
            OR (team_id IS NULL AND ($1 IS NULL OR district_code = $1 OR district_code IS NULL)) \
         ORDER BY id DESC LIMIT $2"
    );
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(district)
            .bind(limit)
            .bind(team)
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// How many requests for help this client address sent through `route` since
/// `since`, read from the audit log so the limit holds across processes.
pub async fn help_requests_from(
    tx: &mut Tx,
    route: &str,
    client_addr: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE route = $1 AND client_addr = $2 \
         AND action = 'create' AND object_type = 'signal' AND at >= $3"
    )
    .bind(route)
    .bind(client_addr)
    .bind(since)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n)
}

/// A cheap fingerprint of the map: it changes whenever a service is added,
/// removed or changed (every change bumps the service's version). Lets the web
/// app keep its search index between requests and still never serve a stale one.
pub async fn services_fingerprint(tx: &mut Tx) -> Result<(i64, i64, i64)> {
    let row: (i64, i64, i64) = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(version), 0) AS BIGINT), CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM kaart_services",
        )
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(row)
}

/// The demo's requests for help from the wijzer (`baken_synth::kaart::help_requests`),
/// each with its casework signal of category "hulpvraag" at the address of a household
/// in the resident's district, as the wijzer itself would have sent them.
#[cfg(feature = "demo")]
pub async fn load_demo_help_requests(
    tx: &mut Tx,
    m: &baken_synth::Municipality,
    config: &baken_synth::Config,
) -> Result<usize> {
    use baken_domain::casework::signal::{SignalCategory, Urgency};
    let content = baken_synth::kaart::wijzer();
    let mut written = 0;
    for (k, spec) in baken_synth::kaart::help_requests(m).iter().enumerate() {
        let Some(district) = spec.answers.district.as_ref().map(|d| d.to_string()) else {
            continue;
        };
        let offset = i64::try_from(k % 2).unwrap_or(0);
        let address: Option<(String, i64)> = with_conn!(tx, |c| {
            sqlx::query_as(
                "SELECT postcode, house_number FROM households WHERE district_code = $1 \
                 ORDER BY id LIMIT 1 OFFSET $2",
            )
            .bind(&district)
            .bind(offset)
            .fetch_optional(&mut *c)
            .await
        })?;
        let Some((postcode, house_number)) = address else {
            continue;
        };
        let sent_on = config.reference_date - chrono::Duration::days(spec.days_ago);
        let at = sent_on
            .and_hms_opt(10, 30, 0)
            .map(|t| t.and_utc())
            .unwrap_or_else(now);
        let labelled = content.label(&spec.answers);
        let answers = serde_json::to_string(&spec.answers)
            .map_err(|e| StoreError::Corrupt(format!("demo answers: {e}")))?;
        let labelled_json = serde_json::to_string(&labelled)
            .map_err(|e| StoreError::Corrupt(format!("demo answers: {e}")))?;
        let id = create_help_request(
            tx,
            at,
            Some(&district),
            &answers,
            &labelled_json,
            &spec.contact,
        )
        .await?;
        let name = m
            .districts
            .iter()
            .find(|d| d.code.to_string() == district)
            .map_or_else(|| district.clone(), |d| d.name.clone());
        let signal = crate::casework::create_signal(
            tx,
            &crate::casework::NewSignal {
                reported_on: sent_on,
                category: SignalCategory::Hulpvraag,
                urgency: Urgency::Normaal,
                description: labelled
                    .signal_text(&name, &spec.contact, id)
                    .chars()
                    .take(2000)
                    .collect(),
                source: "Eigen Kracht Wijzer (de inwoner zelf, met toestemming)".into(),
                reported_by: None,
                postcode,
                house_number,
                house_letter: String::new(),
                addition: String::new(),
                place: None,
                callback_phone: None,
            },
        )
        .await
        .map_err(crate::casework::CaseError::into_store)?;
        set_help_request_signal(tx, id, signal).await?;
        written += 1;
    }
    Ok(written)
}
