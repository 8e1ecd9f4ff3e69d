import { createMemoryDocumentStore } from '../../src/server'
import { describeDocumentStore } from './documentStoreCases'

describeDocumentStore('createMemoryDocumentStore', { make: createMemoryDocumentStore })
