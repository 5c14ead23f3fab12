/**
 * Fixed ids of the demo organisation, exported so tests can name seeded rows.
 * The organisation is a fictional bank-insurer, Northwind Mutual.
 */
export const ORG_ID = 'org_northwind';
export const ORG_NAME = 'Northwind Mutual';

export const DEPARTMENTS = [
  { id: 'dep_claims', code: 'claims', name: 'Claims', costCenter: 'CC-4100' },
  { id: 'dep_underwriting', code: 'underwriting', name: 'Underwriting', costCenter: 'CC-4200' },
  { id: 'dep_kyc', code: 'kyc', name: 'KYC & Compliance', costCenter: 'CC-4300' },
  { id: 'dep_support', code: 'support', name: 'Customer Support', costCenter: 'CC-4400' },
  { id: 'dep_finance', code: 'finance', name: 'Finance', costCenter: 'CC-4500' },
  { id: 'dep_engineering', code: 'engineering', name: 'Engineering', costCenter: 'CC-4600' },
] as const;
export type DepartmentFixture = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_IDS = {
  claims: 'dep_claims',
  underwriting: 'dep_underwriting',
  kyc: 'dep_kyc',
  support: 'dep_support',
  finance: 'dep_finance',
  engineering: 'dep_engineering',
} as const;

export const PROJECTS = [
  { id: 'prj_motor_claims', departmentId: 'dep_claims', code: 'motor-claims', name: 'Motor claims triage', client: 'Retail Motor' },
  { id: 'prj_property_claims', departmentId: 'dep_claims', code: 'property-claims', name: 'Property claims adjustment', client: 'Home & Contents' },
  { id: 'prj_fraud_review', departmentId: 'dep_claims', code: 'fraud-review', name: 'Claims fraud review', client: 'Special Investigations' },
  { id: 'prj_sme_underwriting', departmentId: 'dep_underwriting', code: 'sme-underwriting', name: 'SME policy underwriting', client: 'Commercial Lines' },
  { id: 'prj_life_underwriting', departmentId: 'dep_underwriting', code: 'life-underwriting', name: 'Life underwriting assistant', client: 'Life & Pensions' },
  { id: 'prj_risk_reports', departmentId: 'dep_underwriting', code: 'risk-reports', name: 'Broker risk reports', client: 'Broker Channel' },
  { id: 'prj_onboarding_kyc', departmentId: 'dep_kyc', code: 'onboarding-kyc', name: 'Customer onboarding KYC', client: 'Retail Banking' },
  { id: 'prj_aml_screening', departmentId: 'dep_kyc', code: 'aml-screening', name: 'AML transaction screening', client: 'Financial Crime' },
  { id: 'prj_periodic_review', departmentId: 'dep_kyc', code: 'periodic-review', name: 'Periodic KYC review', client: 'Corporate Banking' },
  { id: 'prj_chat_assist', departmentId: 'dep_support', code: 'chat-assist', name: 'Chat assist', client: 'Retail Banking' },
  { id: 'prj_email_triage', departmentId: 'dep_support', code: 'email-triage', name: 'Email triage', client: 'Contact Centre' },
  { id: 'prj_complaints', departmentId: 'dep_support', code: 'complaints', name: 'Complaints summaries', client: 'Customer Relations' },
  { id: 'prj_voice_notes', departmentId: 'dep_support', code: 'voice-notes', name: 'Call note summaries', client: 'Contact Centre' },
  { id: 'prj_close_automation', departmentId: 'dep_finance', code: 'close-automation', name: 'Month-end close automation', client: 'Group Finance' },
  { id: 'prj_invoice_extraction', departmentId: 'dep_finance', code: 'invoice-extraction', name: 'Invoice extraction', client: 'Accounts Payable' },
  { id: 'prj_reg_reporting', departmentId: 'dep_finance', code: 'reg-reporting', name: 'Regulatory reporting drafts', client: 'Regulatory Reporting' },
  { id: 'prj_dev_copilot', departmentId: 'dep_engineering', code: 'dev-copilot', name: 'Developer copilot', client: 'Platform Engineering' },
  { id: 'prj_incident_summaries', departmentId: 'dep_engineering', code: 'incident-summaries', name: 'Incident summaries', client: 'SRE' },
  { id: 'prj_test_generation', departmentId: 'dep_engineering', code: 'test-generation', name: 'Test generation', client: 'Quality Engineering' },
  { id: 'prj_data_catalog', departmentId: 'dep_engineering', code: 'data-catalog', name: 'Data catalog descriptions', client: 'Data Platform' },
] as const;

/** The three demo sign-ins named in DESIGN.md. */
export const DEMO_USERS = {
  cfo: { id: 'usr_cfo', email: 'cfo@example.com', name: 'Clara Fenwick', role: 'cfo', departmentId: 'dep_finance' },
  ops: { id: 'usr_ops', email: 'ops@example.com', name: 'Omar Patel', role: 'ops', departmentId: 'dep_engineering' },
  manager: { id: 'usr_manager', email: 'manager@example.com', name: 'Maya Lindqvist', role: 'manager', departmentId: 'dep_claims' },
} as const;

/** A second manager, of Underwriting, for cross-department tests. */
export const OTHER_MANAGER = {
  id: 'usr_manager_underwriting',
  email: 'underwriting.manager@example.com',
  name: 'Ibrahim Okafor',
  role: 'manager',
  departmentId: 'dep_underwriting',
} as const;

/** Used when TOLLGATE_DEMO_PASSWORD is unset; the README names it. */
export const DEFAULT_DEMO_PASSWORD = 'tollgate-demo';

/** The seeded agent key (Claims triage bot) and the ops admin key. */
export const DEMO_AGENT_KEY_ID = 'key_claims_agent';
export const DEMO_ADMIN_KEY_ID = 'key_ops_admin';

/** The default seed: a deterministic PRNG seed and size. */
export const DEFAULT_SEED = 20_261_128;
export const DEFAULT_DAYS = 90;
export const DEFAULT_EVENTS = 120_000;
