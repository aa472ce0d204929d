// The formatting moved to the scalar module (src/core/values); these names stay for the resources
// not yet moved (issue 14, part B), which import them from here.
export { formatDateTime as wireDateTime, formatDate as wireDate } from '../core/values';
