// Publish Azure Marketplace offers and take them live through the Cloud Partner Portal and Product Ingestion APIs.
package cloudpartner
