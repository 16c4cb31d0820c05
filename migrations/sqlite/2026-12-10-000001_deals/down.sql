DROP TABLE deliverable_proofs;
DROP TABLE deal_gifts;
DROP TABLE deal_deliverables;
DROP TABLE deal_versions;
DROP TABLE deals;
