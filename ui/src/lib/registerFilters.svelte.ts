// The register's search and filters outlive the screen: coming back from a case finds the
// same list.
export const registerFilters = $state({
  text: '',
  from: '',
  to: '',
  status: '',
  category: '',
  channel: '',
  kind: '',
  hamlet: '',
  assignee: '',
  /** A supervisor's register spans the province's stations. */
  station: '',
  dueOnly: false,
});
