// A faithful subset of the Admin GraphQL API schema (version 2026-10): the real type, field, argument
// and enum names with the real nullability, for everything shopkeep reads and a little around it.
// A field that is not here answers the way Shopify answers an unknown field, so a typo in a client
// query fails in tests rather than in the shop.
import { buildSchema, type GraphQLSchema } from 'graphql';

const PAGING = 'first: Int, after: String, last: Int, before: String, reverse: Boolean = false';

/** Relay connection and edge types, as Shopify names them. */
const connection = (node: string): string => `
type ${node}Connection { edges: [${node}Edge!]! nodes: [${node}!]! pageInfo: PageInfo! }
type ${node}Edge { cursor: String! node: ${node}! }`;

const SDL = /* GraphQL */ `
schema { query: QueryRoot mutation: Mutation }

scalar DateTime
scalar Date
scalar Decimal
scalar Money
scalar URL
scalar HTML
scalar UnsignedInt64
scalar BigInt

interface Node { id: ID! }
interface LegacyInteroperability { legacyResourceId: UnsignedInt64! }

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

type Count { count: Int! precision: CountPrecision! }
enum CountPrecision { AT_LEAST EXACT }

enum CurrencyCode { AUD CAD CHF DKK EUR GBP JPY NOK NZD PLN SEK USD }
enum CountryCode { AT AU BE CA CH DE DK ES FR GB IE IT NL NO NZ PL PT SE US }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

type QueryRoot {
  shop: Shop!
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  order(id: ID!): Order
  orders(${PAGING}, sortKey: OrderSortKeys = PROCESSED_AT, query: String, savedSearchId: ID): OrderConnection!
  ordersCount(query: String, limit: Int = 10000): Count
  product(id: ID!): Product
  products(${PAGING}, sortKey: ProductSortKeys = ID, query: String, savedSearchId: ID): ProductConnection!
  productsCount(query: String, limit: Int = 10000): Count
  productVariant(id: ID!): ProductVariant
  customer(id: ID!): Customer
  customers(${PAGING}, sortKey: CustomerSortKeys = ID, query: String): CustomerConnection!
  customersCount(query: String, limit: Int = 10000): Count
  inventoryItem(id: ID!): InventoryItem
  inventoryLevel(id: ID!): InventoryLevel
  location(id: ID): Location
  locations(${PAGING}, sortKey: LocationSortKeys = NAME, query: String, includeInactive: Boolean = false, includeLegacy: Boolean = false): LocationConnection!
  shopifyPaymentsAccount: ShopifyPaymentsAccount
  webhookSubscription(id: ID!): WebhookSubscription
  webhookSubscriptions(${PAGING}, sortKey: WebhookSubscriptionSortKeys = CREATED_AT, topics: [WebhookSubscriptionTopic!], format: WebhookSubscriptionFormat, uri: String, query: String): WebhookSubscriptionConnection!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
  bulkOperation(id: ID!): BulkOperation
}

type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean = false): BulkOperationRunQueryPayload
  bulkOperationCancel(id: ID!): BulkOperationCancelPayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionUpdate(id: ID!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionUpdatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}

type UserError { field: [String!] message: String! }

type Shop implements Node {
  id: ID!
  name: String!
  email: String!
  contactEmail: String!
  myshopifyDomain: String!
  url: URL!
  primaryDomain: Domain!
  currencyCode: CurrencyCode!
  enabledPresentmentCurrencies: [CurrencyCode!]!
  ianaTimezone: String!
  timezoneAbbreviation: String!
  timezoneOffset: String!
  timezoneOffsetMinutes: Int!
  taxesIncluded: Boolean!
  taxShipping: Boolean!
  weightUnit: WeightUnit!
  billingAddress: ShopAddress!
  plan: ShopPlan!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type Domain implements Node { id: ID! host: String! url: URL! sslEnabled: Boolean! }
type ShopAddress implements Node {
  id: ID! address1: String address2: String city: String company: String country: String countryCodeV2: CountryCode
  province: String provinceCode: String zip: String phone: String
}
type ShopPlan { partnerDevelopment: Boolean! shopifyPlus: Boolean! publicDisplayName: String! }

type MailingAddress implements Node {
  id: ID! firstName: String lastName: String name: String company: String address1: String address2: String city: String
  province: String provinceCode: String zip: String country: String countryCodeV2: CountryCode phone: String formatted: [String!]!
}

enum OrderSortKeys { CREATED_AT CUSTOMER_NAME FINANCIAL_STATUS FULFILLMENT_STATUS ID ORDER_NUMBER PROCESSED_AT RELEVANCE TOTAL_PRICE UPDATED_AT }
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
enum OrderDisplayFinancialStatus { AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
enum OrderDisplayFulfillmentStatus { FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED RESTOCKED SCHEDULED UNFULFILLED }

type Order implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  confirmationNumber: String
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  closedAt: DateTime
  closed: Boolean!
  test: Boolean!
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  taxesIncluded: Boolean!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  fullyPaid: Boolean!
  email: String
  phone: String
  note: String
  sourceName: String
  tags: [String!]!
  paymentGatewayNames: [String!]!
  discountCode: String
  discountCodes: [String!]!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  subtotalPriceSet: MoneyBag
  totalPriceSet: MoneyBag!
  totalTaxSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  totalDiscountsSet: MoneyBag
  originalTotalDutiesSet: MoneyBag
  totalRefundedSet: MoneyBag!
  totalReceivedSet: MoneyBag!
  totalWeight: UnsignedInt64
  taxLines: [TaxLine!]!
  customerJourneySummary: CustomerJourneySummary
  lineItems(${PAGING}): LineItemConnection!
  shippingLines(${PAGING}, includeRemovals: Boolean = false): ShippingLineConnection!
  transactions(first: Int, capturable: Boolean, manuallyResolvable: Boolean): [OrderTransaction!]!
  refunds(first: Int): [Refund!]!
  fulfillments(first: Int): [Fulfillment!]!
  disputes: [OrderDisputeSummary!]!
  statusPageUrl: URL!
}

type TaxLine { title: String! rate: Float ratePercentage: Float priceSet: MoneyBag! channelLiable: Boolean }
type DiscountAllocation { allocatedAmountSet: MoneyBag! }

type LineItem implements Node {
  id: ID!
  name: String!
  title: String!
  variantTitle: String
  sku: String
  vendor: String
  quantity: Int!
  currentQuantity: Int!
  unfulfilledQuantity: Int!
  refundableQuantity: Int!
  isGiftCard: Boolean!
  requiresShipping: Boolean!
  taxable: Boolean!
  variant: ProductVariant
  product: Product
  originalUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
  discountedTotalSet: MoneyBag!
  totalDiscountSet: MoneyBag!
  discountAllocations: [DiscountAllocation!]!
  taxLines(first: Int): [TaxLine!]!
}

type ShippingLine {
  id: ID
  title: String!
  code: String
  source: String
  carrierIdentifier: String
  isRemoved: Boolean!
  originalPriceSet: MoneyBag!
  discountedPriceSet: MoneyBag!
  taxLines: [TaxLine!]!
}

enum OrderTransactionKind { AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID }
enum OrderTransactionStatus { AWAITING_RESPONSE ERROR FAILURE PENDING SUCCESS UNKNOWN }
enum OrderTransactionErrorCode { AMAZON_PAYMENTS_INVALID_PAYMENT_METHOD CALL_ISSUER CARD_DECLINED CONFIG_ERROR EXPIRED_CARD GENERIC_ERROR INCORRECT_CVC INCORRECT_NUMBER INVALID_AMOUNT INVALID_CVC INVALID_NUMBER PAYMENT_METHOD_UNAVAILABLE PROCESSING_ERROR }

type OrderTransaction implements Node {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  gateway: String
  formattedGateway: String
  authorizationCode: String
  errorCode: OrderTransactionErrorCode
  processedAt: DateTime
  createdAt: DateTime!
  test: Boolean!
  amountSet: MoneyBag!
  parentTransaction: OrderTransaction
  fees: [TransactionFee!]!
  paymentId: String!
  order: Order
}
type TransactionFee implements Node {
  id: ID! amount: MoneyV2! flatFee: MoneyV2! flatFeeName: String rate: Decimal! rateName: String taxAmount: MoneyV2! type: String!
}

enum RefundLineItemRestockType { CANCEL LEGACY_RESTOCK NO_RESTOCK RETURN }

type Refund implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  createdAt: DateTime
  updatedAt: DateTime!
  note: String
  order: Order!
  totalRefundedSet: MoneyBag!
  refundLineItems(${PAGING}): RefundLineItemConnection!
  refundShippingLines(${PAGING}): RefundShippingLineConnection!
  orderAdjustments(${PAGING}): OrderAdjustmentConnection!
  duties: [RefundDuty!]
  transactions(${PAGING}): OrderTransactionConnection!
}
enum OrderAdjustmentDiscrepancyReason { CUSTOMER DAMAGE FULL_RETURN_BALANCING_ADJUSTMENT PENDING_REFUND_DISCREPANCY REFUND_DISCREPANCY RESTOCK }
type OrderAdjustment implements Node { id: ID! amountSet: MoneyBag! taxAmountSet: MoneyBag! reason: OrderAdjustmentDiscrepancyReason }
type RefundDuty { amountSet: MoneyBag! }
type RefundLineItem {
  id: ID
  lineItem: LineItem!
  quantity: Int!
  restockType: RefundLineItemRestockType!
  restocked: Boolean!
  location: Location
  priceSet: MoneyBag!
  subtotalSet: MoneyBag!
  totalTaxSet: MoneyBag!
}
type RefundShippingLine implements Node { id: ID! shippingLine: ShippingLine subtotalAmountSet: MoneyBag! taxAmountSet: MoneyBag! }

enum FulfillmentStatus { CANCELLED ERROR FAILURE SUCCESS OPEN PENDING }
type Fulfillment implements Node & LegacyInteroperability {
  id: ID! legacyResourceId: UnsignedInt64! name: String! status: FulfillmentStatus! createdAt: DateTime! updatedAt: DateTime!
  location: Location trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}
type FulfillmentTrackingInfo { company: String number: String url: URL }

enum DisputeStatus { ACCEPTED CHARGE_REFUNDED LOST NEEDS_RESPONSE UNDER_REVIEW WON }
enum DisputeType { CHARGEBACK INQUIRY }
type OrderDisputeSummary implements Node { id: ID! initiatedAs: DisputeType! status: DisputeStatus! }

type CustomerJourneySummary {
  customerOrderIndex: Int
  daysToConversion: Int
  firstVisit: CustomerVisit
  lastVisit: CustomerVisit
  ready: Boolean!
}
type CustomerVisit implements Node {
  id: ID!
  landingPage: URL
  referrerUrl: URL
  source: String!
  sourceDescription: String
  occurredAt: DateTime!
  utmParameters: UTMParameters
}
type UTMParameters { campaign: String content: String medium: String source: String term: String }

enum CustomerSortKeys { CREATED_AT ID LOCATION NAME RELEVANCE UPDATED_AT }
enum CustomerState { DECLINED DISABLED ENABLED INVITED }
type Customer implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  firstName: String
  lastName: String
  displayName: String!
  email: String
  phone: String
  note: String
  tags: [String!]!
  state: CustomerState!
  verifiedEmail: Boolean!
  taxExempt: Boolean!
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  defaultAddress: MailingAddress
  lastOrder: Order
  orders(${PAGING}, sortKey: OrderSortKeys = ID, query: String): OrderConnection!
  createdAt: DateTime!
  updatedAt: DateTime!
}

enum ProductSortKeys { CREATED_AT ID INVENTORY_TOTAL PRODUCT_TYPE PUBLISHED_AT RELEVANCE TITLE UPDATED_AT VENDOR }
enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum ProductVariantInventoryPolicy { CONTINUE DENY }
enum MediaContentType { EXTERNAL_VIDEO IMAGE MODEL_3D VIDEO }
enum MediaStatus { FAILED PROCESSING READY UPLOADED }
enum MediaPreviewImageStatus { FAILED PROCESSING READY UPLOADED }

type Product implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  handle: String!
  description: String!
  descriptionHtml: HTML!
  status: ProductStatus!
  vendor: String!
  productType: String!
  tags: [String!]!
  isGiftCard: Boolean!
  hasOnlyDefaultVariant: Boolean!
  totalInventory: Int!
  tracksInventory: Boolean!
  onlineStoreUrl: URL
  featuredMedia: Media
  options(first: Int): [ProductOption!]!
  variants(${PAGING}, sortKey: ProductVariantSortKeys = POSITION): ProductVariantConnection!
  variantsCount: Count
  createdAt: DateTime!
  updatedAt: DateTime!
  publishedAt: DateTime
}
type ProductOption implements Node { id: ID! name: String! position: Int! values: [String!]! }
enum ProductVariantSortKeys { FULL_TITLE ID INVENTORY_LEVELS_AVAILABLE INVENTORY_MANAGEMENT INVENTORY_POLICY NAME POPULAR POSITION RELEVANCE SKU TITLE }

interface Media { id: ID! alt: String mediaContentType: MediaContentType! preview: MediaPreviewImage status: MediaStatus! }
type MediaImage implements Media & Node { id: ID! alt: String mediaContentType: MediaContentType! preview: MediaPreviewImage status: MediaStatus! image: Image mimeType: String }
type MediaPreviewImage { image: Image status: MediaPreviewImageStatus! }
type Image { id: ID url: URL! altText: String width: Int height: Int }

type SelectedOption { name: String! value: String! }
type ProductVariant implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  displayName: String!
  sku: String
  barcode: String
  price: Money!
  compareAtPrice: Money
  position: Int!
  taxable: Boolean!
  availableForSale: Boolean!
  inventoryQuantity: Int
  inventoryPolicy: ProductVariantInventoryPolicy!
  selectedOptions: [SelectedOption!]!
  inventoryItem: InventoryItem!
  product: Product!
  createdAt: DateTime!
  updatedAt: DateTime!
}

type InventoryItem implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  sku: String
  tracked: Boolean!
  requiresShipping: Boolean!
  unitCost: MoneyV2
  variant: ProductVariant!
  inventoryLevel(locationId: ID!): InventoryLevel
  inventoryLevels(${PAGING}, query: String): InventoryLevelConnection!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type InventoryLevel implements Node {
  id: ID!
  item: InventoryItem!
  location: Location!
  quantities(names: [String!]!): [InventoryQuantity!]!
  canDeactivate: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type InventoryQuantity implements Node { id: ID! name: String! quantity: Int! updatedAt: DateTime }

enum LocationSortKeys { ID NAME RELEVANCE }
type LocationAddress { address1: String address2: String city: String country: String countryCode: String province: String provinceCode: String zip: String phone: String formatted: [String!]! }
type Location implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  isActive: Boolean!
  fulfillsOnlineOrders: Boolean!
  hasActiveInventory: Boolean!
  shipsInventory: Boolean!
  address: LocationAddress!
  inventoryLevel(inventoryItemId: ID!): InventoryLevel
  inventoryLevels(${PAGING}, query: String): InventoryLevelConnection!
  createdAt: DateTime!
  updatedAt: DateTime!
}

enum ShopifyPaymentsTransactionType {
  ADJUSTMENT ADVANCE ADVANCE_FUNDING ANTI_FRAUD_ADJUSTMENT APPLICATION_FEE_REFUND CHARGE CHARGEBACK_FEE CHARGEBACK_FEE_REFUND
  CUSTOMS_DUTY DISPUTE DISPUTE_REVERSAL DISPUTE_WITHDRAWAL PAYOUT PAYOUT_CANCELLATION PAYOUT_FAILURE REFUND REFUND_FAILURE
  REFUND_REVERSAL RESERVED_FUNDS RESERVED_FUNDS_REVERSAL RESERVED_FUNDS_WITHDRAWAL RISK_REVERSAL RISK_WITHDRAWAL SHIPPING_LABEL
  SHOPIFY_COLLECTIVE_DEBIT SHOPIFY_COLLECTIVE_CREDIT SHOP_CASH_CREDIT SHOP_CASH_REFUND_DEBIT STRIPE_FEE TAX_ADJUSTMENT_CREDIT
  TAX_ADJUSTMENT_DEBIT TRANSFER TRANSFER_CANCEL TRANSFER_FAILURE TRANSFER_REFUND VAT_REFUND_CREDIT
}
enum ShopifyPaymentsSourceType { ADJUSTMENT ADJUSTMENT_REVERSAL CHARGE DISPUTE REFUND SYSTEM_ADJUSTMENT TRANSFER }
enum ShopifyPaymentsPayoutStatus { CANCELED FAILED IN_TRANSIT PAID SCHEDULED }
enum ShopifyPaymentsPayoutTransactionType { DEPOSIT WITHDRAWAL }
enum ShopifyPaymentsBalanceTransactionPayoutStatus { ACTION_REQUIRED CANCELED FAILED IN_TRANSIT PAID PENDING SCHEDULED }
enum ShopifyPaymentsPayoutInterval { DAILY MANUAL MONTHLY WEEKLY }
enum DayOfTheWeek { MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY }
enum ShopifyPaymentsDisputeReason {
  BANK_CANNOT_PROCESS CREDIT_NOT_PROCESSED CUSTOMER_INITIATED DEBIT_NOT_AUTHORIZED DUPLICATE FRAUDULENT GENERAL
  INCORRECT_ACCOUNT_DETAILS INSUFFICIENT_FUNDS NONCOMPLIANT PRODUCT_NOT_RECEIVED PRODUCT_UNACCEPTABLE SUBSCRIPTION_CANCELLED UNRECOGNIZED
}

type ShopifyPaymentsAccount implements Node {
  id: ID!
  activated: Boolean!
  country: String!
  defaultCurrency: CurrencyCode!
  balance: [MoneyV2!]!
  payoutSchedule: ShopifyPaymentsPayoutSchedule!
  balanceTransactions(${PAGING}, query: String, hideTransfers: Boolean = false): ShopifyPaymentsBalanceTransactionConnection!
  payouts(${PAGING}, transactionType: ShopifyPaymentsPayoutTransactionType): ShopifyPaymentsPayoutConnection!
  disputes(${PAGING}, query: String): ShopifyPaymentsDisputeConnection!
}
type ShopifyPaymentsPayoutSchedule { interval: ShopifyPaymentsPayoutInterval! monthlyAnchor: Int weeklyAnchor: DayOfTheWeek }
type ShopifyPaymentsAssociatedOrder { id: ID! name: String! }
type ShopifyPaymentsBalanceTransactionAssociatedPayout { id: ID status: ShopifyPaymentsBalanceTransactionPayoutStatus }
type ShopifyPaymentsBalanceTransaction implements Node {
  id: ID!
  type: ShopifyPaymentsTransactionType!
  test: Boolean!
  transactionDate: DateTime!
  amount: MoneyV2!
  fee: MoneyV2!
  net: MoneyV2!
  sourceType: ShopifyPaymentsSourceType
  sourceId: BigInt
  sourceOrderTransactionId: BigInt
  adjustmentReason: String
  associatedOrder: ShopifyPaymentsAssociatedOrder
  associatedPayout: ShopifyPaymentsBalanceTransactionAssociatedPayout!
}
type ShopifyPaymentsPayoutSummary {
  adjustmentsFee: MoneyV2! adjustmentsGross: MoneyV2! chargesFee: MoneyV2! chargesGross: MoneyV2! refundsFee: MoneyV2! refundsFeeGross: MoneyV2!
  reservedFundsFee: MoneyV2! reservedFundsGross: MoneyV2! retriedPayoutsFee: MoneyV2! retriedPayoutsGross: MoneyV2!
}
type ShopifyPaymentsPayout implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  issuedAt: DateTime!
  net: MoneyV2!
  status: ShopifyPaymentsPayoutStatus!
  transactionType: ShopifyPaymentsPayoutTransactionType!
  summary: ShopifyPaymentsPayoutSummary!
}
type ShopifyPaymentsDisputeReasonDetails { networkReasonCode: String reason: ShopifyPaymentsDisputeReason! }
type ShopifyPaymentsDispute implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  amount: MoneyV2!
  evidenceDueBy: Date
  evidenceSentOn: Date
  finalizedOn: Date
  initiatedAt: DateTime!
  order: Order
  reasonDetails: ShopifyPaymentsDisputeReasonDetails!
  status: DisputeStatus!
  type: DisputeType!
}

enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
enum BulkOperationType { MUTATION QUERY }
enum BulkOperationUserErrorCode { INVALID LIMIT_REACHED OPERATION_IN_PROGRESS }
type BulkOperation implements Node {
  id: ID!
  type: BulkOperationType!
  status: BulkOperationStatus!
  errorCode: BulkOperationErrorCode
  query: String!
  objectCount: UnsignedInt64!
  rootObjectCount: UnsignedInt64!
  fileSize: UnsignedInt64
  url: URL
  partialDataUrl: URL
  createdAt: DateTime!
  completedAt: DateTime
}
type BulkOperationUserError { code: BulkOperationUserErrorCode field: [String!] message: String! }
type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
type BulkOperationCancelPayload { bulkOperation: BulkOperation userErrors: [UserError!]! }

enum WebhookSubscriptionTopic {
  APP_UNINSTALLED BULK_OPERATIONS_FINISH CUSTOMERS_CREATE CUSTOMERS_DELETE CUSTOMERS_UPDATE DISPUTES_CREATE DISPUTES_UPDATE
  FULFILLMENTS_CREATE INVENTORY_ITEMS_UPDATE INVENTORY_LEVELS_UPDATE ORDERS_CANCELLED ORDERS_CREATE ORDERS_DELETE ORDERS_EDITED
  ORDERS_FULFILLED ORDERS_PAID ORDERS_PARTIALLY_FULFILLED ORDERS_UPDATED ORDER_TRANSACTIONS_CREATE PRODUCTS_CREATE
  PRODUCTS_DELETE PRODUCTS_UPDATE REFUNDS_CREATE SHOP_UPDATE
}
enum WebhookSubscriptionFormat { JSON XML }
enum WebhookSubscriptionSortKeys { CREATED_AT ID RELEVANCE }
type ApiVersion { handle: String! displayName: String! supported: Boolean! }
type WebhookHttpEndpoint { callbackUrl: URL! }
union WebhookSubscriptionEndpoint = WebhookHttpEndpoint
input WebhookSubscriptionInput {
  callbackUrl: URL
  uri: String
  format: WebhookSubscriptionFormat
  includeFields: [String!]
  metafieldNamespaces: [String!]
  filter: String
}
type WebhookSubscription implements Node & LegacyInteroperability {
  id: ID!
  legacyResourceId: UnsignedInt64!
  topic: WebhookSubscriptionTopic!
  format: WebhookSubscriptionFormat!
  uri: String!
  callbackUrl: URL!
  endpoint: WebhookSubscriptionEndpoint!
  apiVersion: ApiVersion!
  includeFields: [String!]!
  metafieldNamespaces: [String!]!
  filter: String
  createdAt: DateTime!
  updatedAt: DateTime!
}
type WebhookSubscriptionCreatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
type WebhookSubscriptionUpdatePayload { webhookSubscription: WebhookSubscription userErrors: [UserError!]! }
type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }

${[
  'Order',
  'LineItem',
  'ShippingLine',
  'OrderTransaction',
  'RefundLineItem',
  'RefundShippingLine',
  'OrderAdjustment',
  'Customer',
  'Product',
  'ProductVariant',
  'InventoryLevel',
  'Location',
  'ShopifyPaymentsBalanceTransaction',
  'ShopifyPaymentsPayout',
  'ShopifyPaymentsDispute',
  'WebhookSubscription',
]
  .map(connection)
  .join('\n')}
`;

export function adminSchema(): GraphQLSchema {
  return buildSchema(SDL);
}
